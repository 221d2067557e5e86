"""`python -m services.alerts`"""

from services.alerts.config import AlertsSettings
from shared.serve import serve

if __name__ == "__main__":
    serve("services.alerts.main", AlertsSettings)
