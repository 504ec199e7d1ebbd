"""What the pages are built from (these may import Streamlit; the core never imports them).

The prose and "Show the code" (common), the numbers the prose states (facts), the pictures and
each page's charts (pictures, *_charts), the widgets several pages use (boxes, canvas,
clickable, player with its JS and CSS, access), the Train page's controls and runs
(hyperparameters, run_display, robustness), the learner's workspace and the class (workspace,
session, classroom, board, instructor), and the server's start-up (server, workarounds).
"""
