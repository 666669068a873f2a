"""The main job (``onecard run``): one whole payment round of a synthetic county through the
system on embedded defaults, worked over HTTP by real-name staff as the county's offices work
it, with progress on screen and a final report. ``stages`` lists the round in order."""
