"""Mail: composing program emails with their tokens, the outbox every send is kept in,
delivery by SMTP, the email job, and the outbox pages marketers read."""
