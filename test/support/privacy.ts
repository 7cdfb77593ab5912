import { loadConfig } from '../../src/config';
import { createPrivacy, type Privacy } from '../../src/privacy/privacy';
import { validEnv } from './env';

/** The privacy keys of the test environment (validEnv's PRIVACY_KEY), as the app builds them. */
export function testPrivacy(): Privacy {
  return createPrivacy(loadConfig(validEnv()).privacy);
}
