"""Reference implementations of the course's computations, in plain numpy.

Every number ``tutor`` prints and every grade it gives is computed here. The
modules import nothing of the project: one module per topic, short functions,
one idea each, with the formula and the conventions in the docstring.
"""
