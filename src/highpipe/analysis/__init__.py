"""Korean review analysis: the local analyzer (engine.py) with its model, and cards/reports.

Importing this package builds nothing: the model and Kiwi load on `LocalAnalyzer.load()` and on
the first analysed review. Training (`train.py`) needs the `train` extra (scikit-learn, scipy).
"""
