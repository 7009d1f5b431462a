"""The stages joined: compute everything from a project, then write the finished tree."""
