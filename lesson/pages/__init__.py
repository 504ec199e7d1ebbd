"""The Streamlit pages, one file per entry of the app's navigation, named to list in its order.

pN_NAME.py is the navigation's Nth page and pN_NAME.md its prose (the sections `prose` shows):
p1_data … p7_mistakes are the lesson's steps (page N teaches lesson/stepN_*.py), p8_board the
class board. app.py's LESSON lists them with their titles and url paths; Streamlit runs each as
a script. A page is thin: title, prose, widgets, one or two calls into the core, what they
return drawn, "Show the code". What pages share lives in lesson/parts/.
"""
