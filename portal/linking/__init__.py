"""Linking: a program's Event Settings (partner -> login -> event -> save), the webinar
picker, the binding with its snapshot of the webinar, the link health check, reschedules,
deletions and unlinking [S4] [S5] [S8] [S12] [S13] [S15]."""
