// Option checks of the kit: the project's one option module, bundled into dist (the kit depends on nothing of ours at run time).
export { checkOptions, describeValue, optionError, type OptionKeys } from '@portcullis/errors/options';

/** The package name every option error of the kit carries. */
export const PKG = 'testkit';
