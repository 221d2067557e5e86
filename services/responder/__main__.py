"""`python -m services.responder`"""

from services.responder.config import ResponderSettings
from shared.serve import serve

if __name__ == "__main__":
    serve("services.responder.main", ResponderSettings)
