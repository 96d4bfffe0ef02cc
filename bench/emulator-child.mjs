// Runs the &Open emulator in its own process for the benchmarks, so that its CPU time does not
// share an event loop with the clients being timed. Free ports (0); prints one JSON line
// {authUrl, apiUrl} on stdout, then stays up until SIGTERM/SIGINT or until stdin closes.
import { startEmulator } from "../emulator/server.mjs";

const emu = await startEmulator({ authPort: 0, apiPort: 0 });
process.stdout.write(JSON.stringify({ authUrl: emu.authUrl, apiUrl: emu.apiUrl, pid: process.pid }) + "\n");
const stop = () => emu.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
