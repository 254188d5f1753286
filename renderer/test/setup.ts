// Component tests: jest-dom matchers (toBeInTheDocument, toHaveValue, …) and a clean DOM after each test.
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Typing plus a debounce can take a while when the machine is busy with the integration tests.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => cleanup());
