import {
  RTPENGINE_BINARY,
  type RtpengineProcessOptions,
  rtpengineInstalled,
  superviseRtpengine,
} from './rtpengine-process';

export type LocalMedia = {
  /** `host:port` to put in `TANDEM_RTPENGINE`, or null: no rtpengine, calls run unanchored. */
  readonly rtpengine: string | null;
  stop(): Promise<void>;
};

/**
 * For `npm start`: starts a loopback rtpengine when the binary is installed,
 * restarted on the same ports when it dies, otherwise runs without anchoring
 * and says so once. `log` gets the lines to show at start; `supervisorLog`
 * (stderr by default) gets, at once, that rtpengine died and came back.
 *
 * @example
 * const media = await startLocalMedia({ log: console.log });
 * const env = media.rtpengine ? { TANDEM_RTPENGINE: media.rtpengine } : {};
 */
export async function startLocalMedia(
  options: { log: (line: string) => void; supervisorLog?: (line: string) => void } & RtpengineProcessOptions,
): Promise<LocalMedia> {
  const binary = options.binary ?? RTPENGINE_BINARY;
  if (!rtpengineInstalled(binary)) {
    options.log(`rtpengine not installed (${binary}): media is not anchored`);
    return { rtpengine: null, stop: async () => {} };
  }
  const running = await superviseRtpengine({
    ...options,
    log: options.supervisorLog ?? ((line) => process.stderr.write(`${line}\n`)),
  });
  const rtpengine = `${running.address.host}:${running.address.port}`;
  options.log(
    `rtpengine on ng ${rtpengine}, RTP ports ${running.portRange.min}-${running.portRange.max} (userspace)`,
  );
  return { rtpengine, stop: () => running.stop() };
}
