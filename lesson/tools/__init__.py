"""The app's tools beside the lesson's steps: links and presets, what a learner may choose,
exercises, the export, numbers in words, and the commands bench, pretrain and predict."""
