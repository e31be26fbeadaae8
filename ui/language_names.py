"""Each language named in itself, as choosers show them ("suomi", "English")."""

LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "da": "dansk", "en": "English"}
