"""gunicorn's settings for `kehu serve` (`--config python:kehu.gunicorn_conf`): the web server's
own lines in the format of Kehu's (kehu.core.logs), each printed once. The time zone comes from
TZ, which `kehu serve` sets to settings.TIME_ZONE for the server and the worker."""

from kehu.core.logs import DATE_FORMAT, FORMAT

# Client, request, status, bytes, duration; the time is the line's own.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

logconfig_dict = {
    "formatters": {"generic": {"format": FORMAT, "datefmt": DATE_FORMAT}},
    "loggers": {
        # Not propagated: in a worker, Django's logging gives the root logger a console too.
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
