/** Branding as other folders see it: the checks for an accent colour, and logo and cover images. */
export { checkAccent, contrastRatio, darkerShade, parseHexColour, type AccentCheck } from './contrast';
export { svgProblems, type SvgProblem } from './svg';
export { maxLogoBytes, maxCoverBytes, logoHeight, type ImageKind } from './images';
export type { ImageRef } from './images.queries';
export { storeBrandingImage, imagePath, mailLogoPath, logoBox, servedImage } from './images.service';
