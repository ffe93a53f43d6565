"""The side-effect log on screen: logging at the bedside, open effects on the session screen,
the discharge review, the patient's history and follow-ups, and the clinic's lists."""
