"""The Streamlit pages: thin views over the lesson's core (these may import Streamlit)."""
