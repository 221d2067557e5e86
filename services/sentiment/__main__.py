"""`python -m services.sentiment`"""

from services.sentiment.config import SentimentSettings
from shared.serve import serve

if __name__ == "__main__":
    serve("services.sentiment.main", SentimentSettings)
