"""The case editor: one tab per part of the case, each saving as the user moves on."""
