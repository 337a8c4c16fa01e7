"""The live drill console (Textual). Nothing outside this package imports Textual."""
