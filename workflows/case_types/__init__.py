"""One module per case type; each defines WORKFLOW."""
