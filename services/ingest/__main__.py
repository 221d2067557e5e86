"""`python -m services.ingest`"""

from services.ingest.config import IngestSettings
from shared.serve import serve

if __name__ == "__main__":
    serve("services.ingest.main", IngestSettings)
