"""What the pages are built from (these may import Streamlit; the core never imports them).

The prose and "Show the code" (common), the numbers the prose states (facts), the pictures and
each page's charts (pictures, *_charts), the widgets several pages use (boxes, canvas,
clickable, player with its JS and CSS, access), each page's own views (network for Build;
hyperparameters, run_display and robustness for Train; drawing and prediction for Draw; filters
and feature_maps for Inside; mistakes; board_view and board_controls for the class board), the
learner's workspace and the class (workspace, session, classroom, board, instructor), and the
server's start-up (server, workarounds).
"""
