"""Sentiment classification: text classifiers, rating fusion, language, aspects, pipeline."""

from services.sentiment.classifier.base import TextClassifier, TextPrediction, load_classifier

__all__ = ["TextClassifier", "TextPrediction", "load_classifier"]
