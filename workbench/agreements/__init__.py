"""Payment agreements: the organisation's signing identity, the PDF, signatures, the seal."""
