"""Entry point for `flask --app wsgi …` and gunicorn (`wsgi:app`)."""
import sys

from dotenv import load_dotenv

load_dotenv()

from config import ConfigError  # noqa: E402
from factdesk import create_app  # noqa: E402

try:
    app = create_app()
except ConfigError as exc:
    print(f"factdesk: {exc}", file=sys.stderr)
    sys.exit(2)
