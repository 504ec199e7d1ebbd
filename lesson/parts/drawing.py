"""Where the Draw page's digit comes from: the canvas, the pixel grid, a test digit or an upload."""

import numpy as np
import streamlit as st

from lesson import step5_drawing
from lesson.parts import access, pictures
from lesson.parts.boxes import number_box
from lesson.parts.canvas import CANVAS, TOOLBAR_BELOW
from lesson.parts.common import prose

PAGE = "p5_draw"  # whose prose each source tells
SOURCES = {
    "draw": "Draw",
    "grid": "Pixel grid (keyboard)",
    "test": "Pick a test digit",
    "upload": "Upload an image",
}


def clear_canvas() -> None:
    """A new key mounts a fresh, empty canvas (runs before the page, so no second rerun)."""
    st.session_state.canvas_generation = st.session_state.get("canvas_generation", 0) + 1


def random_test_image(count: int) -> None:
    """Jump to a random test image."""
    st.session_state.draw_test_index = int(np.random.default_rng().integers(count))


def digit(source: str, m) -> tuple:
    """The source's widgets: (the digit's stages or None, its label or None, why there is none)."""
    stages, truth = None, None
    if source == "draw":
        prose(PAGE, "draw")
        from streamlit_drawable_canvas import st_canvas

        pen = st.session_state.get("draw_pen", 20)
        generation = st.session_state.get("canvas_generation", 0)
        st.html(TOOLBAR_BELOW, unsafe_allow_javascript=True)
        result = st_canvas(
            stroke_width=pen,
            stroke_color="#FFFFFF",
            background_color="#000000",
            width=CANVAS,
            height=CANVAS,
            drawing_mode="freedraw",
            return_image_data=True,
            key=f"draw_canvas_{generation}",  # a new key is a fresh, empty canvas
        )
        st.space("small")  # room for the canvas's toolbar, just below the square
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.slider(
            "Pen width", 6, 40, 20, key="draw_pen", help="In canvas pixels; 20 is MNIST-like."
        )
        c2.button("Clear", icon=":material/delete:", key="draw_clear", on_click=clear_canvas)
        if result.image_data is not None:
            stages = step5_drawing.mnist_stages(result.image_data, ink="light")  # white on black
        nothing = "The canvas is empty: draw a digit in the black square."
    elif source == "grid":
        prose(PAGE, "grid")
        grid = access.pixel_grid("draw_grid")
        if grid is not None:
            stages = step5_drawing.mnist_stages(grid, ink="light")  # white on black, as the canvas
        nothing = "The grid is empty: ink a few pixels of a digit."
    elif source == "test":
        prose(PAGE, "test")
        index = number_box(st, "Test image", 0, len(m.x_test) - 1, "draw_test_index", 0)
        st.button(
            "Random test image",
            icon=":material/shuffle:",
            key="draw_random",
            on_click=random_test_image,
            args=(len(m.x_test),),
        )
        truth = int(m.y_test[index])
        st.image(
            pictures.digit_picture(m.x_test[index], 168), caption=f"x_test[{index}], label {truth}",
            alt=f"Test image {index}, a handwritten {truth}",
        )  # fmt: skip
        stages = step5_drawing.mnist_stages(m.x_test[index], ink="light")
        nothing = "This test image is blank."
    else:
        prose(PAGE, "upload")
        upload = st.file_uploader(
            "A PNG or JPG of one digit",
            type=["png", "jpg", "jpeg"],
            max_upload_size=step5_drawing.MAX_BYTES // 1_000_000,
            key="draw_upload",
        )
        nothing = "Upload an image of a digit to see what the network makes of it."
        if upload is not None:
            try:
                image = step5_drawing.load_image(upload.getvalue())
                stages = step5_drawing.mnist_stages(image, ink="auto")
                st.image(
                    pictures.digit_picture(step5_drawing.as_grey(image), 168), caption=upload.name,
                    alt=f"Your image {upload.name} in grey",
                )  # fmt: skip
                nothing = f"No digit found in {upload.name}: it looks blank. Try another image."
            except step5_drawing.ImageFileError as err:
                st.error(f"{err}".replace("The upload", upload.name), icon=":material/error:")
                nothing = "Choose another image."
    return stages, truth, nothing
