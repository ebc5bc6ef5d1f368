"""An email backend for tests: the locmem outbox, except that addresses at falla.test are
refused the way an SMTP server refuses them."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class EmailBackend(LocmemBackend):
    def send_messages(self, messages):
        for message in messages:
            refused = [to for to in message.to if to.endswith("@falla.test")]
            if refused:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(refused, (550, b"mailbox unavailable")))
        return super().send_messages(messages)
