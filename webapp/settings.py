"""Django settings. Everything that differs between machines comes from the environment
(CONTRACT.md); ``bot.settings`` reads it, so Rasa, the actions and Django agree."""

import os

from bot import settings as env

BASE_DIR = env.ROOT
SECRET_KEY = env.django_secret_key()
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "webapp.content",
    "webapp.widget",
    "webapp.telegram",
    "webapp.facts",
    "webapp.staff",
    "webapp.transcripts",
    "webapp.editor",
    "webapp.handoff",
    "webapp.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "webapp.staff.security.StaffSecurityHeadersMiddleware",
]

ROOT_URLCONF = "webapp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "webapp" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "webapp.staff.navigation.staff_menu",
            ],
        },
    },
]
WSGI_APPLICATION = "webapp.wsgi.application"


def _database():
    config = env.database()
    if config.dialect == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": config.name,
            # WAL lets Rasa's tracker store and Django read while the other writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": config.name,
        "USER": config.user or "",
        "PASSWORD": config.password or "",
        "HOST": config.host,
        "PORT": str(config.port),
        "CONN_MAX_AGE": 60,
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every password check goes through the sign-in limit (webapp/staff/login_limit.py).
AUTHENTICATION_BACKENDS = ["webapp.staff.login_limit.RateLimitedModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("ar", "العربية"), ("fa-af", "دری")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.VAR_DIR / "static"

# The chat page talks to Rasa's REST channel from the browser.
RASA_PUBLIC_URL = os.environ.get("RASA_PUBLIC_URL", env.rasa_url())

# Staff sign in at /staff/login/; a session ends after two idle hours or when the browser
# closes, so a transcript left open on a shared office computer does not stay readable.
LOGIN_URL = "staff-login"
LOGIN_REDIRECT_URL = "staff-home"
SESSION_COOKIE_AGE = int(os.environ.get("STAFF_SESSION_SECONDS", str(2 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Behind HTTPS in production (docs/deployment.md): cookies only over TLS, and HSTS.
SECURE_COOKIES = os.environ.get("DJANGO_SECURE_COOKIES", "0") == "1"
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = 31536000 if SECURE_COOKIES else 0
# TLS ends at nginx (docs/deployment.md), which talks plain HTTP to this app on loopback and
# says "X-Forwarded-Proto: https". Without trusting that header Django thinks every request is
# plain HTTP and never sends HSTS or builds https:// redirects. Only trusted with
# DJANGO_SECURE_COOKIES=1, i.e. when the deployment says a TLS proxy is in front: the app then
# listens on 127.0.0.1 only, so the header can come from that proxy alone.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_COOKIES else None
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
