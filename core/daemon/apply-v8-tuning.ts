/**
 * Imported first by bin/koinode (a side effect, on purpose): V8's flags must be set before the daemon's
 * modules are compiled, or most of the saving is lost — set from koinode's main() instead, RSS was
 * 58–59 MB per idle node rather than 54–55 MB (the compiler had already run on the start-up code).
 */
import { tuneV8AtStart } from './v8-tuning';

tuneV8AtStart();
