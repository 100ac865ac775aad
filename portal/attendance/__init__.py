"""Attendance: after the webinar, the attendance sync (attendees become leads, every
registrant ends Attended or No Show), the bulk writer, the attended rule, when pulls
happen (announced end, scheduled fallback, final pass, retries), and the program page's
attendance section [S1] [S8] [S9] [S20]."""
