"""Machinery that runs the lesson for a whole class: the store and the learners' workspaces.

None of it is a step of the lesson; the pages use it so that nothing a learner makes is lost.
"""
