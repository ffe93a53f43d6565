"""The application layer the UI and the command line call. No Qt."""
