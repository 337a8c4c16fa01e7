"""The scenario language: pydantic models, YAML loading with positions, checks, MSEL."""
