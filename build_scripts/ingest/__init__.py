"""Reading what people give the build: codebooks, sources, exports in their many shapes, validation, drafts."""
