"""Pure rules of the responder: templates, platform constraints, approval policies."""
