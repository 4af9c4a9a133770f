"""gunicorn settings for serving the app (`make serve`, docs/deploy/cccd-web.service).

gunicorn reads this file when started from the repository's directory, or with
`-c gunicorn.conf.py`. Every value can be changed from the environment without editing it:

  BIND                 127.0.0.1:8000 (a reverse proxy in front; `0.0.0.0:8000` to listen on all)
  WEB_CONCURRENCY      worker processes; default one per CPU core
  GUNICORN_THREADS     threads per worker; default 4
  GUNICORN_TIMEOUT     seconds a request may run before its worker is replaced; default 60
  GUNICORN_ACCESS_LOG  file for the access log, "-" (default) for standard output, "" for none

Why these defaults: a request spends most of its time in Python (rendering, the engine), so one
process per core uses the CPUs without fighting over them; a few threads per process cover the
time a request waits for the database. Workers are not preloaded, so `kill -HUP` (systemctl
reload) starts new workers on the new code while the old ones finish what they serve.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
wsgi_app = "webapp:create_app()"

# A hung request (a lock never released) frees its worker after this; a graceful stop or reload
# lets requests in flight finish for as long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Replace a worker now and then, staggered, so no process grows without bound.
max_requests = 5000
max_requests_jitter = 500

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# The request line, status, bytes, and the time taken in microseconds (%(D)s), for operators.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a reverse proxy on the same host: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "cccd-web"
