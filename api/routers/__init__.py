"""One APIRouter per topic; create_app (api/app.py) includes them all."""
