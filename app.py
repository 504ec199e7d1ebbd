"""The CNN lesson app: `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="CNNs with Keras", page_icon=":material/neurology:", layout="wide")

PAGES = "lesson/pages"
navigation = st.navigation(
    {
        "The lesson": [
            st.Page(
                f"{PAGES}/data_page.py",
                title="1 · The data",
                icon=":material/grid_on:",
                url_path="data",
                default=True,
            ),
            st.Page(
                f"{PAGES}/onehot_page.py",
                title="2 · One-hot labels",
                icon=":material/looks_one:",
                url_path="one-hot",
            ),
            st.Page(
                f"{PAGES}/train_page.py",
                title="4 · Train",
                icon=":material/model_training:",
                url_path="train",
            ),
        ],
    }
)
navigation.run()
