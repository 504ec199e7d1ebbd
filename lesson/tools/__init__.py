"""The app's tools beside the lesson: links and presets, exercises, exports, numbers in words, and the commands bench, pretrain and predict."""
