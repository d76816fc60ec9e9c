"""Intake stage: Word manuscripts (.docx) in, briefs out (``briefpress import``)."""
