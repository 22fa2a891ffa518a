#!/bin/sh
# Makes the example's test media with ffmpeg: 4 s of 320x240 testsrc at 15 fps as VP8, VP9 and
# (when this ffmpeg has an AV1 encoder) AV1 in IVF, and 4 s of a 440 Hz sine as Opus in Ogg.
# The files are committed (each under 100 KB); rerun this only to change them.
#
#   sh examples/send-from-file/make-media.sh
#
# Encoder settings, and why:
# - a keyframe every second (-g 15): a browser that lost the first frames, or joins a loop
#   midway, shows the picture within a second, since a file cannot make a keyframe on request;
# - no alt-ref or lagged frames (-auto-alt-ref 0 -lag-in-frames 0): each IVF frame is one
#   shown frame, as a real-time encoder sends it (no VP9 superframes with hidden frames);
# - realtime speed presets, ~150 kbit/s: small files, still a clear picture at this size.
set -eu
cd "$(dirname "$0")/media"
video="testsrc=size=320x240:rate=15:duration=4"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }

ff -f lavfi -i "$video" -c:v libvpx -b:v 150k -g 15 -deadline realtime -cpu-used 8 \
  -auto-alt-ref 0 -lag-in-frames 0 vp8.ivf
ff -f lavfi -i "$video" -c:v libvpx-vp9 -b:v 150k -g 15 -deadline realtime -cpu-used 8 \
  -auto-alt-ref 0 -lag-in-frames 0 -row-mt 1 vp9.ivf
encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null)
if echo "$encoders" | grep -q libaom-av1; then
  ff -f lavfi -i "$video" -c:v libaom-av1 -b:v 150k -g 15 -usage realtime -cpu-used 8 \
    -lag-in-frames 0 av1.ivf
elif echo "$encoders" | grep -q libsvtav1; then
  ff -f lavfi -i "$video" -c:v libsvtav1 -b:v 150k -g 15 -preset 12 av1.ivf
else
  echo "no AV1 encoder (libaom-av1 or libsvtav1) in this ffmpeg: av1.ivf not made" >&2
fi
ff -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=4" -c:a libopus -b:a 32k opus.ogg
ls -l
