"""The `campaign-site` command and its long-running parts: commands, progress, preview, diff."""
