; Inno Setup script for the Windows installer of the Housing Advice Workbench.
; Built by packaging\windows\build-windows.ps1 from the PyInstaller bundle in dist\workbench.
#define AppVersion "0.1.0"

[Setup]
AppId={{6F3B2C1E-8E57-4C9D-9B0A-2B7C5D4E1A90}
AppName=Housing Advice Workbench
AppVersion={#AppVersion}
AppPublisher=Housing Advice Workbench
DefaultDirName={autopf}\Housing Advice Workbench
DefaultGroupName=Housing Advice Workbench
OutputDir=..\..\dist
OutputBaseFilename=HousingAdviceWorkbench-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
WizardStyle=modern

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "fi"; MessagesFile: "compiler:Languages\Finnish.isl"
Name: "da"; MessagesFile: "compiler:Languages\Danish.isl"
; Inno Setup ships no official Swedish file; Swedish users get the English installer.

[Files]
Source: "..\..\dist\workbench\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Housing Advice Workbench"; Filename: "{app}\workbench.exe"
Name: "{autodesktop}\Housing Advice Workbench"; Filename: "{app}\workbench.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Run]
Filename: "{app}\workbench.exe"; Description: "{cm:LaunchProgram,Housing Advice Workbench}"; Flags: nowait postinstall skipifsilent
