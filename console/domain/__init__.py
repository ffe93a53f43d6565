"""Pure clinical and record-keeping rules: no Qt, no database."""
