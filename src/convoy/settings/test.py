import atexit
import os
import shutil
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not os.environ.get("DATABASE_URL"):
    # An SQLite file, not ":memory:": the race tests need several connections on one database,
    # as in production (WAL, writers queue with IMMEDIATE transactions). It lives in a temporary
    # folder of this process and is removed at exit.
    _dir = tempfile.mkdtemp(prefix="convoy-test-")
    atexit.register(shutil.rmtree, _dir, ignore_errors=True)
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(_dir, "convoy.sqlite3"),
        "TEST": {"NAME": os.path.join(_dir, "test.sqlite3")},
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 60,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
