"""Monitor feeds (HL7 v2 over MLLP) and a simulator, as plain Python: no Qt, no database."""
