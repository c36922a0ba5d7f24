/** Random fault schedules, part 2 of 2 (see random-part.ts; the parts run in parallel). */
import { randomSchedulesPart } from './random-part';

randomSchedulesPart(2);
