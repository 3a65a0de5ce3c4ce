"""digitrec: read digits from static images with a convolutional neural network."""
__version__ = "0.1.0"
