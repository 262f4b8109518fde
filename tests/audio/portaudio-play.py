#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""portaudio-play.py FILE.wav: play a WAV through PortAudio's default output device (python3-pyaudio),
as a PortAudio program does: open the stream, write it, wait until it has played, close.
PortAudio's ALSA Pa_StopStream drops what is still buffered (with any device), so like the
programs that care, it waits until the buffer has room for all of it again first."""
import sys
import time
import wave

import pyaudio


def main():
    with wave.open(sys.argv[1]) as w:
        pa = pyaudio.PyAudio()
        try:
            dev = pa.get_default_output_device_info()
            print(f"portaudio: default output {dev['name']!r} ({pa.get_default_host_api_info()['name']})")
            # 100 ms a buffer: PortAudio's default low latency underruns on a loaded machine
            s = pa.open(format=pa.get_format_from_width(w.getsampwidth()), channels=w.getnchannels(),
                        rate=w.getframerate(), output=True, frames_per_buffer=w.getframerate() // 10)
            empty = s.get_write_available()
            while True:
                data = w.readframes(4096)
                if not data:
                    break
                s.write(data)
            deadline = time.monotonic() + 10
            while s.get_write_available() < empty and time.monotonic() < deadline:
                time.sleep(0.01)
            s.stop_stream()
            s.close()
        finally:
            pa.terminate()


if __name__ == "__main__":
    main()
