// Browser-bundle entry: tfjs-core's own gradient registrations, resolved by the bundler against the
// same tfjs-core instance the app uses, then AdaptNet's wrappers.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { installAdaptNetGradients } from './backend/gradients.js';

installAdaptNetGradients();
