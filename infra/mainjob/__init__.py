"""The main job (``onecard run``): the whole system on embedded defaults, exercised as its
users would, with progress on screen and a final report. It grows with the project into a
complete payment round."""
